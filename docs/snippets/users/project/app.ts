// The app module of the CLI example: the CLI reads the app it exports, and its installed auth
// app brings the user model, its migrations and the permission rows.
import { volt } from 'voltjs';
import { auth } from 'voltjs/auth';

export const app = volt({ logger: false, apps: [auth()] });
