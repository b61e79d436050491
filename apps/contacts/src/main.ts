import 'reflect-metadata';
import {
  createServiceApp,
  isProjectionThread,
  loadServiceConfig,
  runProjectionThread,
  shutDownGracefully,
} from '@crm/platform';
import { AppModule } from './app.module';
import { ABOUT, DEFAULT_PORT, SERVICE } from './service';

async function main(): Promise<void> {
  const config = loadServiceConfig(SERVICE, DEFAULT_PORT);
  // This script again, as the thread that folds the read models (PROJECTION_THREAD=worker).
  if (isProjectionThread()) return runProjectionThread(AppModule.forRoot(config));
  const app = await createServiceApp(AppModule.forRoot(config), config, ABOUT, __filename);
  shutDownGracefully(app, config);
  await app.listen(config.port, config.host);
}

main().catch((error: unknown) => {
  // Start-up failures (bad configuration above all) must say what is wrong and exit non-zero.
  process.stderr.write(
    `${SERVICE} failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
