// The app module of the CLI example: importing the auth models registers them and their migrations.
import 'volt/auth';
