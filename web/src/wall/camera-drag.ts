import type { ChannelId } from '../api/types';

/** Our own type, so a tile accepts cameras from the map and the tree, not any text dropped on it. */
export const CAMERA_DRAG_TYPE = 'application/x-tessera-channel';

const GB_ID = /^\d{20}$/;

/** Makes a drag carry a camera (the tree's leaves and the map popup's handle call this on dragstart). */
export function startCameraDrag(data: DataTransfer, channelId: ChannelId): void {
  data.setData(CAMERA_DRAG_TYPE, channelId);
  data.setData('text/plain', channelId);
  data.effectAllowed = 'copy';
}

/** During dragover only the types are readable: is a camera being dragged? */
export function isCameraDrag(data: DataTransfer): boolean {
  return data.types.includes(CAMERA_DRAG_TYPE);
}

/** The camera dropped, or null when the drop carried something else. */
export function droppedCamera(data: DataTransfer): ChannelId | null {
  const value = data.getData(CAMERA_DRAG_TYPE);
  return GB_ID.test(value) ? (value as ChannelId) : null;
}
