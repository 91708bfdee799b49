import { VoltApp } from '../../../src/http/app.ts';
import { t } from '../../../src/openapi/t.ts';

const app = new VoltApp({ logger: false, envFile: false });

app.post(
  '/items',
  { body: t.Object({ name: t.String() }), query: t.Object({ limit: t.Integer() }) },
  (ctx) => {
    const misspelt = ctx.body.nam; // error: TS2551
    const wrongType = ctx.query.limit.toUpperCase(); // error: TS2339
    return { misspelt, wrongType };
  },
);
