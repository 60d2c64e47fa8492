export * from './listening';
export * from './ports';
export * from './sipp';
export * from './wait';
export * from './postgres';
export * from './chromium';
export * from './console';
export * from './tcp-proxy';
