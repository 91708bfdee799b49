/**
 * `voltjs/admin`: the back office generated from the models — an installed app with its own
 * login, a dashboard, change lists, forms, delete confirmations and field-level history, under
 * a strict CSP, accessible, with the models' policies applied.
 */
export { Change, type FieldChange, ListSetting } from './history.ts';
export type { Column, Filter, FormField, FormSection, InlineGroup } from './model-admin.ts';
export { ModelAdmin } from './model-admin.ts';
export type {
  ActionArgs,
  AdminAction,
  ComputedColumn,
  CustomFilter,
  Fieldset,
  Inline,
  ListFilter,
  ModelAdminOptions,
  SaveArgs,
} from './options.ts';
export { AdminDefinitionError, type AdminUser } from './request.ts';
export { ADMIN_CSP, type AdminOptions, type AdminSite, admin } from './site.ts';
