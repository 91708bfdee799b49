import { VoltApp } from '../../../src/http/app.ts';
import { dependency } from '../../../src/http/dependencies.ts';

const app = new VoltApp({ logger: false, envFile: false });
const user = dependency(() => ({ name: 'Ada' }));

app.get('/me', { deps: { user } }, (ctx) => ctx.deps.missing); // error: TS2339
