import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Hands a handler's error to the consumer as thrown. Nest's default RPC filter would replace any
 * error that is not an RpcException with `{status, message}`, and the consumer decides by the
 * error's class whether to retry (TransientError) or dead-letter (PermanentError, ProtocolError).
 * `@KafkaEventPattern` puts it on every handler: registered only globally it would miss them in a
 * hybrid application (the services' HTTP app with the transport connected), whose handlers are
 * created as the microservice is connected, before `useGlobalFilters` can add it.
 */
@Catch()
export class RethrowToConsumerFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
