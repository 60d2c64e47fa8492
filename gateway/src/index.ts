export { type GatewayConfig, GatewayConfigSchema, loadGatewayConfig } from './config';
export { Gateway, type GatewayOptions } from './gateway';
export { GatewayMetrics } from './metrics';
