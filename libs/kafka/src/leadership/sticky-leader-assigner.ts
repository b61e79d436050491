import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

const { MemberMetadata, MemberAssignment } = AssignerProtocol;

/** The name every member of a leadership group announces; members must all use it. */
export const STICKY_LEADER_ASSIGNER = 'CrmStickyLeader';
const VERSION = 1;
const HELD = '1';

/** A member of the group as the assignment sees it: its id, and whether it held partition 0. */
export interface LeaderCandidate {
  readonly memberId: string;
  readonly held: boolean;
}

/**
 * The member that gets partition 0 of the leadership topic: the one that held it in the
 * previous generation, so a replica joining (a scale-out, a rolling update) never moves the
 * leadership; else the first by member id. Two claims only happen when an evicted leader
 * rejoins before it noticed; the first by id wins, the other is demoted by its assignment.
 */
export function chooseLeader(candidates: readonly LeaderCandidate[]): string | undefined {
  const byId = [...candidates].sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
  return (byId.find((candidate) => candidate.held) ?? byId[0])?.memberId;
}

function claimsLeadership(memberMetadata: Buffer): boolean {
  // Typed as a Buffer by kafkajs, but null when a member sent no user data.
  const userData: Buffer | null | undefined = MemberMetadata.decode(memberMetadata)?.userData;
  return userData?.toString() === HELD;
}

/**
 * A kafkajs partition assigner for a single-partition leadership topic: every member says
 * in its join metadata whether it holds the leadership (`held()`), and the group's
 * assigning member gives partition 0 to `chooseLeader` and nothing to the others.
 */
export function stickyLeaderAssigner(held: () => boolean): PartitionAssigner {
  return () => ({
    name: STICKY_LEADER_ASSIGNER,
    version: VERSION,
    protocol: ({ topics }) => ({
      name: STICKY_LEADER_ASSIGNER,
      metadata: MemberMetadata.encode({
        version: VERSION,
        topics,
        userData: Buffer.from(held() ? HELD : ''),
      }),
    }),
    assign: ({ members, topics }) => {
      const leader = chooseLeader(
        members.map(({ memberId, memberMetadata }) => ({
          memberId,
          held: claimsLeadership(memberMetadata),
        })),
      );
      const leaderAssignment = Object.fromEntries(topics.map((topic) => [topic, [0]]));
      return Promise.resolve(
        members.map(({ memberId }) => ({
          memberId,
          memberAssignment: MemberAssignment.encode({
            version: VERSION,
            assignment: memberId === leader ? leaderAssignment : {},
            userData: Buffer.alloc(0),
          }),
        })),
      );
    },
  });
}
