/**
 * `volt/testing`: test helpers.
 */
export { type TestClient, type TestRequestOptions, type TestResponse, testClient } from './client.ts';
