// One verify run with the defaults both verify suites use (fake API key, both CA variables, a
// 20 s limit, only PATH from this environment); each test overrides what it is about.
import { runVerify, type VerifyOptions, type VerifyReport } from '../../src/verify/index.js';

export function verifyRun(codex: string, codexHome: string, opts: Partial<VerifyOptions> & Pick<VerifyOptions, 'approach'>): Promise<VerifyReport> {
  return runVerify({
    codex,
    codexHome,
    timeoutMs: 20_000,
    auth: 'apikey',
    caEnv: 'both',
    env: { PATH: process.env.PATH, CODEX_MITM_CONFIG_DIR: process.env.CODEX_MITM_CONFIG_DIR },
    cwd: process.cwd(),
    ...opts,
  });
}
