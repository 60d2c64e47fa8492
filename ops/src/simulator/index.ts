export * from './city';
export * from './endpoint';
export * from './simulated-device';
export * from './simulator';
