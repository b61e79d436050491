import { AssignerProtocol, type Cluster, type Logger } from 'kafkajs';
import {
  chooseLeader,
  STICKY_LEADER_ASSIGNER,
  stickyLeaderAssigner,
} from './sticky-leader-assigner';

describe('sticky leader assignment', () => {
  it('given a member that held the leadership, then it keeps it, whatever the member ids', () => {
    expect(
      chooseLeader([
        { memberId: 'a', held: false },
        { memberId: 'z', held: true },
        { memberId: 'm', held: false },
      ]),
    ).toBe('z');
  });

  it('given nobody held it (a new group, or the leader is gone), then the first member by id leads', () => {
    expect(
      chooseLeader([
        { memberId: 'crm-2', held: false },
        { memberId: 'crm-1', held: false },
      ]),
    ).toBe('crm-1');
    expect(chooseLeader([])).toBeUndefined();
  });

  it('given two claims (an evicted leader rejoining), then exactly one of them leads', () => {
    expect(
      chooseLeader([
        { memberId: 'b', held: true },
        { memberId: 'a', held: false },
        { memberId: 'c', held: true },
      ]),
    ).toBe('b');
  });

  it('given the members as kafkajs passes them, then partition 0 goes to the holder and nothing to the others', async () => {
    const { MemberMetadata, MemberAssignment } = AssignerProtocol;
    const assigner = (held: boolean) =>
      stickyLeaderAssigner(() => held)({
        cluster: {} as Cluster,
        groupId: 'g',
        logger: {} as Logger,
      });
    const join = (memberId: string, held: boolean) => ({
      memberId,
      memberMetadata: assigner(held).protocol({ topics: ['leadership'] }).metadata,
    });

    const assignments = await assigner(false).assign({
      members: [join('a', false), join('b', true)],
      topics: ['leadership'],
    });

    expect(assigner(false).name).toBe(STICKY_LEADER_ASSIGNER);
    expect(
      assignments.map(({ memberId, memberAssignment }) => [
        memberId,
        MemberAssignment.decode(memberAssignment)?.assignment,
      ]),
    ).toEqual([
      ['a', {}],
      ['b', { leadership: [0] }],
    ]);
    expect(MemberMetadata.decode(join('a', false).memberMetadata)?.topics).toEqual(['leadership']);
  });
});
