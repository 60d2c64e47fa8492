/// <reference types="vite/client" />

/** Build-time settings of the console (see src/map/base-layer.ts). */
interface ImportMetaEnv {
  readonly VITE_TESSERA_MAP_TILES?: string;
  readonly VITE_TESSERA_MAP_TILE_SIZE?: string;
  readonly VITE_TESSERA_MAP_STYLE?: string;
}
