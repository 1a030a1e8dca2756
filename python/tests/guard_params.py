"""Guard parameters for a catalog, built as `src/verify/guard.ts` builds them."""

from __future__ import annotations

from typing import Any

from fixturegen_helper.introspect import introspect

CONTRACT = {
    "className": "TenantWithTeam",
    "createName": "create_tenant_with_team",
    "fixtureName": "tenant_with_team",
    "sessionFixture": "db_session",
}


def catalog_params(modules: list[str]) -> dict[str, Any]:
    catalog = introspect({"models": modules})
    models: dict[str, Any] = {}
    enums: dict[str, Any] = {}
    for m in catalog["models"]:
        models[m["qualname"]] = {
            "className": m["name"],
            "module": m["module"],
            "attributes": sorted([c["key"] for c in m["columns"]] + [r["key"] for r in m["relationships"]]),
            "collections": [r["key"] for r in m["relationships"] if r["uselist"]],
        }
        for c in m["columns"]:
            e = (c.get("enum") or {}).get("pythonEnum")
            if e:
                enums[f"{e['module']}.{e['name']}"] = {
                    "module": e["module"],
                    "name": e["name"],
                    "members": [x["name"] for x in e["members"]],
                }
    return {"allowedModules": modules, "models": models, "enums": list(enums.values()), "contract": CONTRACT}
