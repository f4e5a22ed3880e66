// The names a service file may have: zinit's extension first, so where a service has both, the `.yaml` file is the one read.
export const SERVICE_FILE_EXTENSIONS = ['.yaml', '.yml'] as const;
