/**
 * `voltjs/crud`: REST resources from models. `resource(path, Model, options)` gives the routes
 * of a model's list, retrieve, create, replace, update and delete — filtered, searched, ordered,
 * paged, permission-checked and scoped by the model's policy — as a router to include.
 */
export { Access } from './access.ts';
export { ResourceDefinitionError } from './fields.ts';
export { MAX_IN_ITEMS, MAX_SEARCH_WORDS } from './filters.ts';
export {
  type FieldKey,
  type HookArgs,
  LOOKUPS,
  type Lookup,
  OPERATIONS,
  type Operation,
  type Pagination,
  type Permissions,
  type ResourceAction,
  type ResourceHooks,
  type ResourceOptions,
} from './options.ts';
export { RESERVED_PARAMETERS, Resource, resource } from './resource.ts';
export type {
  ResourceItem,
  ResourceListQuery,
  ResourcePage,
  ResourceRoutes,
  ResourceWritten,
} from './types.ts';
