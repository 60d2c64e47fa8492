export * from './logger';
export * from './config';
export * from './clock';
export * from './backoff';
export * from './errors';
export * from './viewer-token';
export * from './process-guard';
export * from './operations-access';
