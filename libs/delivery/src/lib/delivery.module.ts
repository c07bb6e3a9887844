import { Module } from '@nestjs/common';
import { DeliveryPublisher } from './delivery.publisher';

/** Produces deliveries to the gateways' own topics. */
@Module({
  providers: [DeliveryPublisher],
  exports: [DeliveryPublisher],
})
export class DeliveryModule {}
