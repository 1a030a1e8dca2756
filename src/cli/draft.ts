import { parseDocument, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../diagnostics/types.js';
import { error } from '../diagnostics/types.js';
import { hasExpect } from '../draft/answer.js';
import { unifiedDiff } from '../draft/diff.js';
import { draftCatalog, draftMessages, loadDraftTemplates } from '../draft/prompt.js';
import type { DraftReport } from '../draft/run.js';
import { DRAFT_CODES, draftScenario } from '../draft/run.js';
import { createBackendClient } from '../generate/llm/backends/client.js';
import { writeAtomic } from '../output/write.js';
import { readScenarioInputs } from '../pipeline/inputs.js';
import { Codes } from '../scenario/index.js';
import { EXIT } from './exit.js';
import type { Io } from './io.js';
import { paint } from './io.js';
import { loadProjectConfig, openProject } from './project.js';
import type { CommonFlags } from './project.js';

export interface DraftFlags extends CommonFlags {
  dryRun?: boolean;
}

interface DraftResult {
  readonly file: string;
  readonly name: string;
  readonly status: 'drafted' | 'would draft' | 'failed';
  readonly diff: string | null;
  readonly diagnostics: readonly Diagnostic[];
  readonly llm: DraftReport | null;
}

/**
 * `fixturegen draft [SCENARIO…]`: for each scenario that has a description and no entities (all
 * of them when none is named), the model writes the entities; the result is checked as a
 * hand-written scenario is (up to the builtin module verified against the database), repaired
 * with the errors, and written into the file with its diff printed. Nothing changes on failure.
 */
export async function draftCommand(names: string[], flags: DraftFlags, io: Io): Promise<number> {
  const config = loadProjectConfig(flags, io);
  const project = await openProject(config);
  try {
    const { analysis } = project;
    const inputs = readScenarioInputs(config);
    const draftable = analysis.failures.filter((f) =>
      f.diagnostics.some((d) => d.code === Codes.descriptionOnly),
    );
    const wanted = new Set(names);
    const targets = draftable.filter(
      (f) => wanted.size === 0 || wanted.has(f.file) || (f.name !== null && wanted.has(f.name)),
    );
    const results: DraftResult[] = [];
    const known = new Set([
      ...draftable.flatMap((f) => [f.file, f.name ?? '']),
      ...analysis.plans.flatMap((p) => [p.name, p.source]),
      ...analysis.failures.flatMap((f) => [f.file, f.name ?? '']),
    ]);
    const unknown = names.filter((n) => !known.has(n));
    for (const n of unknown) io.warn(`no scenario named ${JSON.stringify(n)}`);
    if (unknown.length > 0) return EXIT.usage;
    // A named scenario that is not description-only is reported, not drafted over.
    for (const n of names) {
      if (targets.some((t) => t.file === n || t.name === n)) continue;
      const plan = analysis.plans.find((p) => p.name === n || p.source === n);
      const failure = analysis.failures.find((f) => f.name === n || f.file === n);
      const file = plan?.source ?? failure?.file ?? n;
      results.push({
        file,
        name: plan?.name ?? failure?.name ?? n,
        status: 'failed',
        diff: null,
        llm: null,
        diagnostics: [
          error(
            DRAFT_CODES.notDraftable,
            plan
              ? 'this scenario already has entities: draft writes them only for a scenario with a description and no entities'
              : 'this scenario has errors of its own, so it cannot be drafted',
            {
              file,
              line: 1,
              column: 1,
              hint: plan
                ? 'remove `entities` to have them drafted again, or edit them yourself'
                : `fix them first (\`fixturegen validate ${file}\`)`,
            },
          ),
          ...(failure?.diagnostics ?? []),
        ],
      });
    }
    if (targets.length === 0 && names.length === 0) {
      io.say(
        'no scenario to draft: every scenario has entities (draft writes them for a scenario with only a description)',
      );
    }

    const templates = loadDraftTemplates(config.root);
    const client = targets.length > 0 ? createBackendClient(config.llm, process.env) : null;
    for (const target of targets) {
      const text = inputs.find((i) => i.file === target.file)?.text ?? '';
      const raw = (parseDocument(text).toJS() ?? {}) as Record<string, unknown>;
      const description = typeof raw['description'] === 'string' ? raw['description'] : '';
      const bases = (
        Array.isArray(raw['extends'])
          ? raw['extends']
          : typeof raw['extends'] === 'string'
            ? [raw['extends']]
            : []
      ).map(String);
      const inherited = analysis.plans
        .filter((p) => bases.includes(p.name))
        .flatMap((p) => [...p.inherited, ...p.entities])
        .map(
          (l) =>
            `${l.label}: ${l.model.split('.').pop()}${l.count === null ? '' : `, a list of ${l.count}`}`,
        );
      const expect = hasExpect(text) ? stringify({ expect: raw['expect'] }).trimEnd() : null;
      const name = target.name ?? target.file;
      const messages = draftMessages(templates, {
        name,
        source: target.file,
        description,
        expect,
        extends: bases,
        inherited: [...new Set(inherited)],
        catalog: draftCatalog(analysis.catalog, description),
      });
      io.say(`drafting ${target.file} with ${config.llm.model}…`);
      const outcome = await draftScenario(
        { file: target.file, name, text, expect: expect !== null, messages },
        {
          config,
          helper: project.helper,
          catalog: analysis.catalog,
          inputs,
          client: client!,
          templates,
          maxRepairs: config.llm.max_repairs,
          onRound: (_file, round, phase) => {
            if (phase === 'asking' && round > 1) io.say(`  ${target.file}: repair ${round - 1}`);
          },
        },
      );
      if (!outcome.ok) {
        results.push({
          file: target.file,
          name,
          status: 'failed',
          diff: null,
          diagnostics: outcome.diagnostics,
          llm: outcome.report,
        });
        continue;
      }
      const diff = unifiedDiff(text, outcome.text, `a/${target.file}`, `b/${target.file}`);
      if (!flags.dryRun) {
        // The file may have changed while the model was thinking: then it is left alone.
        const abs = join(config.root, target.file);
        if (readFileSync(abs, 'utf8') !== text) {
          results.push({
            file: target.file,
            name,
            status: 'failed',
            diff,
            llm: outcome.report,
            diagnostics: [
              error(
                DRAFT_CODES.notDraftable,
                'the file changed while it was being drafted; it was left as it is',
                {
                  file: target.file,
                  line: 1,
                  column: 1,
                  hint: `run \`fixturegen draft ${target.file}\` again`,
                },
              ),
            ],
          });
          continue;
        }
        writeAtomic(abs, outcome.text);
      }
      results.push({
        file: target.file,
        name,
        status: flags.dryRun ? 'would draft' : 'drafted',
        diff,
        diagnostics: [],
        llm: outcome.report,
      });
    }

    io.diagnostics(
      results.flatMap((r) => [...r.diagnostics]),
      config.root,
    );
    for (const r of results) {
      if (r.diff && r.status !== 'failed') {
        // The diff is the result: stdout, even under --json it is in the JSON.
        if (!io.json) process.stdout.write(r.diff);
      }
      const mark =
        r.status === 'failed'
          ? paint(io, '31', '✗ failed'.padEnd(16))
          : paint(io, '32', `✓ ${r.status}`.padEnd(16));
      const rounds = r.llm
        ? ` (${r.llm.rounds} round${r.llm.rounds === 1 ? '' : 's'}${r.llm.backend ? `, ${r.llm.backend}` : ''})`
        : '';
      io.say(`${mark} ${r.file}${rounds}`);
    }
    const failed = results.filter((r) => r.status === 'failed').length;
    if (results.length > 0) {
      io.say(
        `${results.length} scenario${results.length === 1 ? '' : 's'}: ${results.length - failed} ${flags.dryRun ? 'would be drafted (dry run: nothing written)' : 'drafted'}, ${failed} failed`,
      );
    }
    io.result({
      command: 'draft',
      ok: failed === 0,
      dryRun: Boolean(flags.dryRun),
      scenarios: results,
    });
    return failed > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    await project.helper.close();
  }
}
