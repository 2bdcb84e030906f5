// Worker-thread entry: registers tsx in this thread, then runs the TypeScript member.
import { register } from 'tsx/esm/api';

register();
await import('./broadcast-member.ts');
