/** `security.S015`: the JSON limits stay within what the server can afford. */
import type { DeployCheck, Finding } from './types.ts';

/** Deep nesting costs stack in every recursive step; long arrays cost time in validation. */
export const check: DeployCheck = {
  id: 'security.S015',
  title: 'JSON limits are moderate',
  run: ({ jsonMaxDepth, jsonMaxArrayLength }) => {
    const findings: Array<Omit<Finding, 'id'>> = [];
    if (jsonMaxDepth > 1000)
      findings.push({
        level: 'warning',
        message: `JSON_MAX_DEPTH is ${jsonMaxDepth}: deeply nested bodies can overflow the stack of validation and serialization.`,
        fix: 'Keep JSON_MAX_DEPTH at 1000 or less (default 64).',
      });
    if (jsonMaxArrayLength > 1_000_000)
      findings.push({
        level: 'warning',
        message: `JSON_MAX_ARRAY_LENGTH is ${jsonMaxArrayLength}: one request can make the server validate millions of items.`,
        fix: 'Keep JSON_MAX_ARRAY_LENGTH at 1000000 or less (default 10000).',
      });
    return findings;
  },
};
