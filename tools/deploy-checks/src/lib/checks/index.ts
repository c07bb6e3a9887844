import type { Manifest } from '../manifest';
import type { ConfigOracle } from '../service-config';
import { checkConfig } from './config';
import { checkNetworkPolicies } from './network';
import { checkPods } from './pods';
import type { Problem } from './problem';
import { checkReferences } from './references';
import { checkSchemas } from './schema';
import { checkSecrets } from './secrets';

export { formatProblems, type CheckName, type Problem } from './problem';
export { referencedSecrets } from './config';

/** Every check on one rendered set of manifests (an overlay, with or without components). */
export async function runChecks(manifests: Manifest[], oracle: ConfigOracle): Promise<Problem[]> {
  return [
    ...checkSchemas(manifests),
    ...checkReferences(manifests),
    ...checkPods(manifests),
    ...checkNetworkPolicies(manifests),
    ...checkSecrets(manifests),
    ...(await checkConfig(manifests, oracle)),
  ];
}
