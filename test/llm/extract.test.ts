import { describe, expect, it } from 'vitest';
import { extractPython } from '../../src/generate/llm/extract.js';

const MODULE = 'import pytest\n\n\n@pytest.fixture\ndef users(session):\n    return []\n';

function code(answer: string): string {
  const result = extractPython(answer);
  if (!result.ok) throw new Error(`expected code, got: ${result.message}`);
  return result.code;
}

function failure(answer: string): string {
  const result = extractPython(answer);
  if (result.ok) throw new Error(`expected a failure, got code:\n${result.code}`);
  return result.message;
}

describe('extractPython', () => {
  it('takes a fenced python block out of the surrounding prose', () => {
    const answer = `Here is the module:\n\n\`\`\`python\n${MODULE}\`\`\`\n\nIt creates two users.`;
    expect(code(answer)).toBe(MODULE);
  });

  it('accepts py and python3 labels, in any case, and CRLF line ends', () => {
    expect(code(`\`\`\`py\n${MODULE}\`\`\``)).toBe(MODULE);
    expect(code(`\`\`\`Python3\r\n${MODULE.replace(/\n/g, '\r\n')}\`\`\``)).toBe(MODULE);
  });

  it('prefers the longest python block when there are several', () => {
    const usage = '```python\nfrom conftest import users\nusers(session)\n```';
    const answer = `${usage}\n\nThe module:\n\n\`\`\`python\n${MODULE}\`\`\`\n\nAgain:\n${usage}`;
    expect(code(answer)).toBe(MODULE);
  });

  it('skips blocks in other languages', () => {
    const answer = `Run:\n\`\`\`bash\npip install pytest\nimport this\n\`\`\`\n\`\`\`python\n${MODULE}\`\`\``;
    expect(code(answer)).toBe(MODULE);
  });

  it('takes an unlabelled block that looks like a module', () => {
    const answer = `Output:\n\`\`\`\nTwo users are made.\n\`\`\`\n\nCode:\n\`\`\`\n${MODULE}\`\`\``;
    expect(code(answer)).toBe(MODULE);
  });

  it('prefers a python-labelled block over an earlier unlabelled one', () => {
    const other = 'import os\nprint(1)\n';
    expect(code(`\`\`\`\n${other}\`\`\`\n\`\`\`python\n${MODULE}\`\`\``)).toBe(MODULE);
  });

  it('handles tilde and longer fences, and an indented fence', () => {
    expect(code(`~~~python\n${MODULE}~~~`)).toBe(MODULE);
    const withInnerFence = 'import pytest\n\nDOC = """\n```\n"""\n';
    expect(code(`\`\`\`\`python\n${withInnerFence}\`\`\`\``)).toBe(withInnerFence);
    const indented = MODULE.split('\n')
      .map((l) => (l ? `   ${l}` : l))
      .join('\n');
    expect(code(`1. The module:\n   \`\`\`python\n${indented}   \`\`\``)).toBe(MODULE);
  });

  it('takes a block whose closing fence never came', () => {
    expect(code(`\`\`\`python\n${MODULE}`)).toBe(MODULE);
  });

  it('takes the whole answer when it is plain code', () => {
    expect(code(MODULE)).toBe(MODULE);
    expect(code(`\n\n${MODULE}\n\n`)).toBe(MODULE);
    const docFirst = `"""Fixtures for the two-users scenario."""\n${MODULE}`;
    expect(code(docFirst)).toBe(docFirst);
    const commentFirst = `# generated\nfrom sqlalchemy.orm import Session\n`;
    expect(code(commentFirst)).toBe(commentFirst);
  });

  it('strips <think> blocks, closed, orphan-closed or unclosed', () => {
    expect(code(`<think>\nI should use \`\`\`python\nimport os\n\`\`\`\n</think>\n${MODULE}`)).toBe(
      MODULE,
    );
    expect(code(`the user wants fixtures\n</think>\n\n\`\`\`python\n${MODULE}\`\`\``)).toBe(MODULE);
    expect(failure('<think>\nLet me think about the models. import pytest')).toBe(
      'the answer is empty',
    );
  });

  it('fails on an empty answer', () => {
    expect(failure('')).toBe('the answer is empty');
    expect(failure('  \n\t\n')).toBe('the answer is empty');
  });

  it('fails on prose, quoting its start', () => {
    const prose = `I'm sorry, but I cannot write fixtures without knowing the models. ${'Please send them. '.repeat(10)}`;
    const message = failure(prose);
    expect(message).toMatch(/^the answer has no Python code block: "I'm sorry, but I cannot/);
    expect(message).toContain('…"');
    expect(message.length).toBeLessThan(200);
  });

  it('fails on prose that merely starts like code', () => {
    expect(failure('# Fixtures\n\nThis scenario needs two users.')).toMatch(/no Python code block/);
    expect(failure('from the scenario I gather you want users')).toMatch(/no Python code block/);
  });

  it('fails when no code block is a Python module', () => {
    const message = failure('Try:\n```bash\npytest -q\n```\nor\n```\nmake test\n```');
    expect(message).toMatch(/^the answer has no Python module in its 2 code blocks: "Try:/);
  });
});
