/** The README is the front door: it must list every error code and every CLI command that exists. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/core/errors.js';
import { cli } from '../support/cli.js';

const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('lists every error code with its status', () => {
    for (const [code, { status }] of Object.entries(ERROR_CATALOGUE)) {
      expect(readme, code).toContain(`| \`${code}\` | ${status} |`);
    }
  });

  /** Command names from the "Commands:" section of a --help text. */
  const commandsIn = (help: string) =>
    [...(help.split('Commands:\n')[1] ?? '').matchAll(/^ {2}([a-z][a-z-]*)/gm)]
      .map((match) => match[1]!)
      .filter((name) => name !== 'help');

  it('documents every CLI command and subcommand', async () => {
    const commands = commandsIn((await cli(['--help'], {})).stdout);
    expect(commands.length).toBeGreaterThan(5);
    for (const command of commands) {
      expect(readme, command).toContain(`slipway ${command}`);
      const help = await cli([command, '--help'], {});
      const subcommands = commandsIn(help.stdout);
      for (const sub of subcommands)
        expect(readme, `${command} ${sub}`).toMatch(new RegExp(`slipway ${command} (\\[)?${sub}`));
    }
  });
});
