import { Controller, Get, Injectable } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../identity/auth.guard';
import { ServiceUnavailable } from '../http/problems';

export type ReadinessCheck = () => Promise<string | null>;

/** Named readiness checks; each returns null when fine or a reason when not. */
@Injectable()
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();
  private shuttingDown = false;

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** From now on the service reports not ready, so the load balancer drains it. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async problems(): Promise<Record<string, string>> {
    const problems: Record<string, string> = {};
    if (this.shuttingDown) problems['lifecycle'] = 'shutting down';
    for (const [name, check] of this.checks) {
      try {
        const problem = await check();
        if (problem) problems[name] = problem;
      } catch (error) {
        problems[name] = error instanceof Error ? error.message : String(error);
      }
    }
    return problems;
  }
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: Readiness) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is running and serving HTTP' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'The service can take traffic: its stores are open and it is not shutting down',
  })
  async ready(): Promise<{ status: 'ok' }> {
    const problems = await this.readiness.problems();
    if (Object.keys(problems).length > 0) {
      throw new ServiceUnavailable(
        Object.entries(problems)
          .map(([name, problem]) => `${name}: ${problem}`)
          .join('; '),
        { checks: problems },
      );
    }
    return { status: 'ok' };
  }
}
