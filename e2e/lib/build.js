// Builds the server binary once before `npm test` runs the test files in
// parallel (see package.json).
import { buildServer } from './server.js';

buildServer();
