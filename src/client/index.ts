/**
 * `voltjs/client`: a typed client of a Volt app, typed by the app's declared routes with no
 * generated code. It runs in browsers as in Node: it imports nothing of Volt but types.
 */

export type { FieldError, ProblemDetails } from '../http/errors.ts';
export type { RouteMark, RoutesOf, RouteTypes } from '../http/route-types.ts';
export {
  type Client,
  type ClientFailure,
  type ClientHeaders,
  type ClientOptions,
  type ClientRequestInfo,
  type ClientResult,
  type ClientSuccess,
  createClient,
  type Jsonified,
  type PathsFor,
  type RequestOptions,
  type UntypedRoutes,
} from './client.ts';
