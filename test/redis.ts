/**
 * The Redis server the Redis-store tests use: `VOLT_TEST_REDIS` (CI sets it and starts
 * Redis). Without it those tests are skipped with this reason, shown in the test report.
 */
export const REDIS_URL: string | undefined = process.env.VOLT_TEST_REDIS || undefined;

/** The skip reason when no Redis is configured, else `false`. */
export const REDIS_SKIP: string | false = REDIS_URL
  ? false
  : 'Redis: VOLT_TEST_REDIS is not set (e.g. redis://127.0.0.1:6379)';

if (!REDIS_URL && process.env.CI === 'true')
  throw new Error('VOLT_TEST_REDIS must be set under CI=true: .ci/run starts Redis and sets it');
