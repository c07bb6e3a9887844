import type { Labels, MetricValue } from './sample-types';

export interface InstanceGauge {
  instance: string;
  labels: Labels;
  value: number;
}

/** The latest value of every gauge of every instance; a sample replaces all of its instance's gauges. */
export class GaugeBoard {
  private readonly latest = new Map<string, MetricValue[]>();

  record(instance: string, gauges: MetricValue[]): void {
    this.latest.set(instance, gauges);
  }

  forget(instance: string): void {
    this.latest.delete(instance);
  }

  /** One gauge's current values on the live instances (a missing instance's last value is not current). */
  values(name: string, isLive: (instance: string) => boolean): InstanceGauge[] {
    const result: InstanceGauge[] = [];
    for (const [instance, gauges] of this.latest) {
      if (!isLive(instance)) continue;
      for (const gauge of gauges) if (gauge.name === name) result.push({ instance, labels: gauge.labels, value: gauge.value });
    }
    return result;
  }
}
