import 'reflect-metadata';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { MeController } from '../me/me.controller';
import { RegistrationController } from '../registration/registration.controller';
import { SessionsController } from '../sessions/sessions.controller';

export const API_DOCS_PATH = 'auth/docs';
const DOCUMENTED_CONTROLLERS: Type[] = [RegistrationController, SessionsController, MeController];

/** An Express application serving Swagger UI at /auth/docs and the document at /auth/docs-json. */
export interface ApiDocs {
  document: OpenAPIObject;
  handler: (request: IncomingMessage, response: ServerResponse, next: () => void) => void;
}

/**
 * Builds the API documentation. SwaggerModule needs a Nest application object, and the service's
 * own one is made (and kept) by runService, so the docs get an application of their own: the
 * documented controllers in preview mode (scanned, never instantiated; nothing connects or listens).
 * Its Express instance, holding only the docs routes, is then mounted into the service's (ApiDocsModule).
 *
 * Call it before runService: creating an application resets Nest's global logger, and runService
 * installs the service's logger when it creates its own.
 */
export async function createApiDocs(): Promise<ApiDocs> {
  const docsApp = await NestFactory.create<NestExpressApplication>(documentedApiModule(DOCUMENTED_CONTROLLERS), { preview: true, logger: false, abortOnError: false });
  const config = new DocumentBuilder()
    .setTitle('chat auth')
    .setDescription(
      'Accounts and sessions of the chat platform. Every error answer is `{"error": {"code", "message"}}`; ' +
        'access tokens are HS256 JWTs for the gateway and `GET /auth/me`; refresh tokens are opaque and single use.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(docsApp, config);
  SwaggerModule.setup(API_DOCS_PATH, docsApp, document);
  docsApp.disable('x-powered-by');
  const handler: ApiDocs['handler'] = docsApp.getHttpAdapter().getInstance();
  return { document, handler };
}

/** A module of the controllers alone; their dependencies must resolve, though preview never creates them. */
function documentedApiModule(controllers: Type[]): Type {
  const dependencies: Type[] = controllers.flatMap((controller) => Reflect.getMetadata('design:paramtypes', controller) ?? []);
  @Module({ controllers, providers: dependencies.map((dependency) => ({ provide: dependency, useValue: {} })) })
  class DocumentedApiModule {}
  return DocumentedApiModule;
}
