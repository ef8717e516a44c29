// Button host: the boot button (GPIO0 on most dev kits), debounced in C. 'short' is a press under 3 s,
// 'long' a press held for 10 s (reported when the threshold is reached, while still held).

export type ButtonEvent = 'short' | 'long';

export interface ButtonHost {
  onEvent(callback: (event: ButtonEvent) => void): void;
}
