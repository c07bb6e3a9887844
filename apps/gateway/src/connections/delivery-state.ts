import { Injectable } from '@nestjs/common';

/**
 * Whether this gateway's delivery consumer is in its group. Until it is, frames routed here would
 * not be read, so new sockets are refused with 1013 (try again later) instead of being accepted and
 * left without answers, e.g. while a restarted gateway waits for its previous run's session to expire.
 */
@Injectable()
export class DeliveryState {
  private joined = false;

  update(joined: boolean): void {
    this.joined = joined;
  }

  get accepting(): boolean {
    return this.joined;
  }
}
