// CI=1 in the environment must not put Ink in CI mode (nothing drawn until exit) when the wizard is
// loaded: src/commands/wizard.ts loads Ink with CI and CONTINUOUS_INTEGRATION hidden, then puts
// them back. This file runs in its own process (pool: forks), so Ink is first loaded here.
import { describe, expect, it } from 'vitest';

describe('loading the wizard', () => {
  it('loads Ink with CI off and gives the variables back', async () => {
    process.env.CI = '1';
    process.env.CONTINUOUS_INTEGRATION = 'true';
    const { wizardCommand } = await import('../../src/commands/wizard.js');
    expect(typeof wizardCommand).toBe('function');
    const { default: isInCi } = await import('is-in-ci');
    expect(isInCi).toBe(false);
    expect(process.env.CI).toBe('1');
    expect(process.env.CONTINUOUS_INTEGRATION).toBe('true');
  });
});
