import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module, type DynamicModule } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { API_DOCS_PATH, type ApiDocs } from './api-docs';

/** Mounts the docs (see createApiDocs) into the service's Express instance, ahead of Nest's routes and 404 handler. */
@Module({})
export class ApiDocsModule {
  static register(docs: ApiDocs): DynamicModule {
    return {
      module: ApiDocsModule,
      providers: [
        {
          provide: 'API_DOCS_MOUNTED',
          inject: [HttpAdapterHost],
          useFactory: (adapterHost: HttpAdapterHost) => {
            if (!adapterHost.httpAdapter) return false;
            // Only docs requests enter the docs application: it is a separate Express app with its own settings.
            adapterHost.httpAdapter.use((request: IncomingMessage, response: ServerResponse, next: () => void) => {
              if (request.url?.startsWith(`/${API_DOCS_PATH}`)) docs.handler(request, response, next);
              else next();
            });
            return true;
          },
        },
      ],
    };
  }
}
