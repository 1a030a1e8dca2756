import { buildMessages } from '../generate/llm/prompt/messages.js';
import { CHARS_PER_TOKEN, promptSize } from '../generate/llm/prompt/size.js';
import { loadPromptTemplates } from '../generate/llm/prompt/templates.js';
import { packageName } from '../pipeline/inputs.js';
import { backendsOf } from '../generate/llm/backends/list.js';
import { countPromptTokens } from '../generate/llm/backends/server-info.js';
import type { Io } from './io.js';
import { paint } from './io.js';
import { EXIT } from './exit.js';
import { loadProjectConfig, openProject } from './project.js';
import type { CommonFlags } from './project.js';

/**
 * `fixturegen prompt SCENARIO`: the messages the LLM generator would send first for a scenario, and
 * their size: exact when the first backend's server has a tokenizer endpoint (it is asked to count,
 * nothing is generated), else an estimate, labelled as one. Needs the Python helper for the
 * catalog, like `build`.
 */
export async function promptCommand(names: string[], flags: CommonFlags, io: Io): Promise<number> {
  if (names.length !== 1) {
    io.warn('usage: fixturegen prompt SCENARIO (one scenario name or file path)');
    return EXIT.usage;
  }
  const wanted = names[0]!;
  const config = loadProjectConfig(flags, io);
  const project = await openProject(config);
  try {
    const { plans, failures, catalog } = project.analysis;
    const plan = plans.find((p) => p.name === wanted || p.source === wanted);
    if (!plan) {
      const failure = failures.find((f) => f.name === wanted || f.file === wanted);
      if (failure) {
        io.diagnostics(failure.diagnostics, config.root);
        io.warn(`${wanted} has errors: fix them first (\`fixturegen validate ${wanted}\`)`);
        return EXIT.failed;
      }
      const known = plans.map((p) => p.name).sort();
      io.warn(
        `no scenario named ${JSON.stringify(wanted)}` +
          (known.length > 0 ? `; scenarios: ${known.join(', ')}` : ''),
      );
      return EXIT.usage;
    }
    const templates = loadPromptTemplates(config.root);
    const messages = buildMessages(
      plan,
      {
        catalog,
        packageName: packageName(config),
        sessionFixture: config.session_fixture ?? 'db_session',
        plans: new Map(plans.map((p) => [p.name, p])),
        async: config.async === true,
      },
      templates,
    );
    const size = promptSize(messages);
    // The first backend's own tokenizer, where it has one (vLLM, llama.cpp): the exact count.
    const backend = backendsOf(config.llm)[0]!;
    const counted = await countPromptTokens(backend.config, process.env, messages).catch(
      () => null,
    );
    const estimate = counted
      ? `${size.characters} characters, ${counted.tokens} tokens (counted by the server's ${counted.source} tokenizer)` +
        (counted.contextLength !== null
          ? `; with max_tokens ${config.llm.max_tokens}: ${counted.tokens + config.llm.max_tokens} of the ${counted.contextLength}-token context${counted.tokens + config.llm.max_tokens > counted.contextLength ? ' — DOES NOT FIT' : ''}`
          : '')
      : `${size.characters} characters, about ${size.estimatedTokens} tokens ` +
        `(an estimate at ${CHARS_PER_TOKEN} characters per token; the server has no tokenizer endpoint, or did not answer)`;
    if (io.json) {
      io.result({
        command: 'prompt',
        scenario: plan.name,
        model: config.llm.model,
        messages,
        characters: size.characters,
        estimatedTokens: size.estimatedTokens,
        tokens: counted?.tokens ?? size.estimatedTokens,
        tokensAreEstimated: counted === null,
        tokenizer: counted?.source ?? null,
        contextLength: counted?.contextLength ?? null,
        charsPerToken: CHARS_PER_TOKEN,
        templates: templates.files,
      });
      io.say(estimate);
      return EXIT.ok;
    }
    // The messages themselves go to stdout as they are, so they can be piped or diffed.
    for (const m of messages) {
      process.stdout.write(
        `${paint(io, '1', `──── ${m.role} (${m.content.length} characters) ────`)}\n${m.content}\n`,
      );
    }
    io.warn(
      `${plan.name}: ${messages.length} messages to ${config.llm.model}, ${estimate}; ` +
        `max_tokens ${config.llm.max_tokens} for the answer`,
    );
    return EXIT.ok;
  } finally {
    await project.helper.close();
  }
}
