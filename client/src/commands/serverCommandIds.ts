/** The ids of the language server's commands, apart from their code so tests can read them without VS Code. */
export const RESTART_SERVER = 'almaSis.restartServer';
export const SHOW_OUTPUT = 'almaSis.showOutput';
export const VALIDATE_ON_DISK = 'almaSis.validateFileOnDisk';
