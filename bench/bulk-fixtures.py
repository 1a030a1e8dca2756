"""Times the bulk fixture against its floor and the factory libraries, side by side in one run,
and the per-test cost of a session-scoped scenario. Run by bulk-fixtures.mjs, which builds the
project (models, scenarios, generated/) and passes its folder and the database URLs.

    python bench/bulk-fixtures.py PROJECT URL [URL ...] [--runs 5]

Every setup runs in a transaction that is rolled back, so each run starts from empty tables.
Prints one JSON object: per database, the median milliseconds of each way of creating the rows,
and the per-test milliseconds of tests requesting the session-scoped scenario.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROWS = {"users": 2000, "roles": 10, "grants": 5000}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("project")
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tests", type=int, default=60)
    args = parser.parse_args()
    sys.path.insert(0, args.project)
    out = {}
    for url in args.urls:
        out[url] = {
            "setup": setups(url, args.runs),
            "per_test": per_test(args.project, url, args.tests),
        }
    print(json.dumps(out))


def setups(url: str, runs: int) -> dict[str, float]:
    import factory
    from bench_models.models import Base, PermissionGrant, Role, Tenant, User
    from generated.big import create_big
    from polyfactory.factories.sqlalchemy_factory import SQLAlchemyFactory
    from sqlalchemy import insert, select
    from sqlalchemy.orm import Session

    from generated import make_engine

    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)

    def floor(session: Session) -> None:
        # Core executemany per level, and one SELECT of the keys the next level refers to.
        conn = session.connection()
        tenant = conn.execute(
            insert(Tenant).returning(Tenant.id), {"name": "Acme"}
        ).scalar_one()
        conn.execute(
            insert(User.__table__),
            [
                {
                    "email": f"user{i + 1}@acme.test",
                    "tenant_id": tenant,
                    "is_active": True,
                }
                for i in range(2000)
            ],
        )
        users = conn.scalars(select(User.id).order_by(User.id)).all()
        conn.execute(
            insert(Role.__table__),
            [{"name": f"role{i + 1}", "tenant_id": tenant} for i in range(10)],
        )
        roles = conn.scalars(select(Role.id).order_by(Role.id)).all()
        conn.execute(
            insert(PermissionGrant.__table__),
            [
                {
                    "permission": f"perm.{i}",
                    "user_id": users[i % 2000],
                    "role_id": roles[i // 500],
                }
                for i in range(5000)
            ],
        )

    def fixturegen(session: Session) -> None:
        create_big(session)

    def factory_boy(persistence: str | None):
        def run(session: Session) -> None:
            def boy(model, **declarations):
                meta = {"model": model, "sqlalchemy_session": session}
                meta["sqlalchemy_session_persistence"] = persistence
                bases = (factory.alchemy.SQLAlchemyModelFactory,)
                return type(
                    f"{model.__name__}Factory",
                    bases,
                    {"Meta": type("Meta", (), meta), **declarations},
                )

            tenants = boy(Tenant, name="Acme")
            users_ = boy(
                User, email=factory.Sequence(lambda n: f"user{n + 1}@acme.test")
            )
            roles_ = boy(Role, name=factory.Sequence(lambda n: f"role{n + 1}"))
            grants_ = boy(
                PermissionGrant, permission=factory.Sequence(lambda n: f"perm.{n}")
            )
            tenant = tenants()
            users = users_.create_batch(2000, tenant=tenant)
            roles = roles_.create_batch(10, tenant=tenant)
            for i in range(5000):
                grants_(user=users[i % 2000], role=roles[i // 500])
            if persistence is None:
                session.flush()

        return run

    def polyfactory(session: Session) -> None:
        class TenantFactory(SQLAlchemyFactory[Tenant]):
            __set_relationships__ = False

        class UserFactory(SQLAlchemyFactory[User]):
            __set_relationships__ = False

        class RoleFactory(SQLAlchemyFactory[Role]):
            __set_relationships__ = False

        class GrantFactory(SQLAlchemyFactory[PermissionGrant]):
            __set_relationships__ = False

        # polyfactory builds the instances; they are added and flushed once per level.
        tenant = TenantFactory.build(name="Acme", id=None)
        session.add(tenant)
        session.flush()
        users = UserFactory.batch(2000, id=None, tenant_id=tenant.id)
        for i, user in enumerate(users):
            user.email = f"user{i + 1}@acme.test"
        session.add_all(users)
        roles = RoleFactory.batch(10, id=None, tenant_id=tenant.id)
        session.add_all(roles)
        session.flush()
        grants = [
            GrantFactory.build(
                id=None, user_id=users[i % 2000].id, role_id=roles[i // 500].id
            )
            for i in range(5000)
        ]
        session.add_all(grants)
        session.flush()

    ways = {
        "floor": floor,
        "fixturegen": fixturegen,
        "factory_boy_flush_each": factory_boy("flush"),
        "factory_boy_one_flush": factory_boy(None),
        "polyfactory": polyfactory,
    }
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(runs):
        # Side by side: each round times every way once, so load on the machine hits all alike.
        for name, way in ways.items():
            with engine.connect() as conn:
                transaction = conn.begin()
                session = Session(bind=conn, join_transaction_mode="create_savepoint")
                start = time.perf_counter()
                way(session)
                times[name].append((time.perf_counter() - start) * 1000)
                session.close()
                transaction.rollback()
    engine.dispose()
    return {name: statistics.median(t) for name, t in times.items()}


def per_test(project: str, url: str, tests: int) -> dict[str, float]:
    """Median time of a test's setup, call and teardown (pytest's own report) for tests that
    request the session-scoped scenario and read it, or change a row, against empty tests."""
    env = {**os.environ, "FIXTUREGEN_DATABASE_URL": url, "BENCH_TESTS": str(tests)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "bench_timing", "bench_tests"],
        cwd=project,
        env={**env, "PYTHONPATH": project},
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise SystemExit(run.stdout + run.stderr)
    with open(os.path.join(project, "bench_timing.json"), encoding="utf-8") as f:
        return json.load(f)


if __name__ == "__main__":
    main()
