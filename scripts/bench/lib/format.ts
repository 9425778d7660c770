/** Number formats shared by the benchmark reports. */

export function seconds(value: number): string {
  if (value < 0.1) return value.toFixed(4);
  if (value < 10) return value.toFixed(3);
  return value.toFixed(2);
}

export function secondsRange(min: number, max: number): string {
  return `${seconds(min)}–${seconds(max)}`;
}

/** CPU seconds from GNU time have a 10 ms resolution. */
export function cpuSeconds(value: number): string {
  return value.toFixed(2);
}

export function ratio(value: number): string {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)}×`;
}

export function megabytes(bytes: number): string {
  const mb = bytes / 1e6;
  return mb < 10 ? mb.toFixed(2) : mb < 1000 ? mb.toFixed(1) : mb.toFixed(0);
}

export function bytesHuman(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function throughput(value: number, unit: 'files/s' | 'MB/s'): string {
  return unit === 'MB/s' ? `${value.toFixed(0)} MB/s` : `${count(value)} files/s`;
}
