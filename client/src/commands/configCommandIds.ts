/** The ids of the configuration commands, apart from their code so that plain modules and tests can name them without VS Code. */
export const CREATE_CONFIGURATION = 'almaSis.createConfiguration';
export const OPEN_CONFIGURATION = 'almaSis.openConfiguration';

/** What Open Configuration is given: the file, and where its first problem is (0-based) when the status knows. */
export interface OpenConfigurationArgs {
  path: string;
  line?: number;
  character?: number;
}
