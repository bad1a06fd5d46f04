// A named import of one field, so the bundle inlines the version rather than all of package.json.
import { version } from '../../../package.json';

export const VERSION: string = version;
