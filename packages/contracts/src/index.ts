export * from './ids';
export * from './catalog';
export * from './events';
export * from './commands';
export * from './bus';
export * from './play';
export * from './ptz';
export * from './cascade';
