import { VoltApp } from '../../../src/http/app.ts';
import { dependency } from '../../../src/http/dependencies.ts';
import { t } from '../../../src/openapi/t.ts';

const app = new VoltApp({ logger: false, envFile: false });
const user = dependency(async () => ({ name: 'Ada' }));

app.post(
  '/items/:id',
  {
    body: t.Object({ name: t.String() }),
    response: { 200: t.Object({ id: t.String(), name: t.String(), by: t.String() }) },
    deps: { user },
  },
  (ctx) => ({ id: ctx.params.id, name: ctx.body.name, by: ctx.deps.user.name }),
);
