// rules/approach-a.toml as approach A and the CA route read it: file names, markers, version
// thresholds, proxies (the one checked document; verify reads the same one).
import { approachARules, type ApproachADoc } from '../../rules/files.js';

export type HomeRules = ApproachADoc;
export type ReverseProxyRule = ApproachADoc['reverse'][number];
export type DirectRule = NonNullable<ApproachADoc['direct']>[number];

export const homeRules = (): HomeRules => approachARules();
