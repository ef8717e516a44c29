// Device identity and system services. ESP32: esp_read_mac(ESP_MAC_WIFI_STA), esp_chip_info, esp_restart,
// esp_get_free_heap_size. Simulator: values from the command line; restart() reboots the simulated firmware
// (same NVS, fresh RAM).

export interface DeviceHost {
  /** Base MAC, 6 bytes (the Wi-Fi station MAC). */
  mac(): Uint8Array;
  /** e.g. "esp32", "esp32s3", "sim". */
  chipModel(): string;
  restart(): void;
  freeHeapBytes(): number;
}
