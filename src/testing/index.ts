/**
 * `voltjs/testing`: test helpers.
 */
export {
  type TestClient,
  type TestClientOptions,
  type TestRequestOptions,
  type TestResponse,
  testClient,
} from './client.ts';
export {
  forEachDialect,
  type OpenTestDatabase,
  type TestDatabaseOptions,
  testDatabase,
  testPostgresUrl,
} from './database.ts';
export { countQueries, type QueryCounter } from './queries.ts';
