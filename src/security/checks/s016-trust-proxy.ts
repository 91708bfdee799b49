/** `security.S016`: the client cannot choose the address the per-IP limits count. */
import type { DeployCheck } from './types.ts';

/**
 * `TRUST_PROXY=true` believes every `X-Forwarded-For` entry, so `request.ip` is the left-most
 * one: the client writes it itself, and proxies that append the real address (nginx's
 * `$proxy_add_x_forwarded_for`, load balancers, CDNs) keep it in front.
 */
export const check: DeployCheck = {
  id: 'security.S016',
  title: 'TRUST_PROXY names the proxies in front',
  run: ({ trustProxy }) =>
    trustProxy === true
      ? [
          {
            level: 'warning',
            message:
              'TRUST_PROXY is true: every X-Forwarded-For entry is believed, so the client chooses the address that per-IP login limits and rate limits count (the left-most entry, which it writes itself).',
            fix: 'Set TRUST_PROXY to the number of proxies in front (1 for one nginx or load balancer, when only it can reach the app) or to their addresses and CIDR ranges (e.g. 10.0.0.0/8).',
          },
        ]
      : [],
};
