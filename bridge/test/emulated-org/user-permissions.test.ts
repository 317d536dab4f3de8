// The emulated org's user permissions, on the wire: the integration user's own permissions
// through UserPermissionAccess (API Only by default, as the client credentials Run-As user must
// be), setup objects hidden without View Setup and Configuration, and a connected app without a
// Run-As user refused as Salesforce refuses it.
import { EmulatedOrg, type EmulatedOrgOptions } from '../../src/demo/emulated-org/emulated-org';
import { requestToken } from './support/client-credentials';

async function queryAs(
  options: Partial<EmulatedOrgOptions>,
  soql: string,
): Promise<{ status: number; body: unknown }> {
  const org = await EmulatedOrg.start({ seed: {}, ...options });
  try {
    const { access_token: token } = (await (await requestToken(org)).json()) as {
      access_token: string;
    };
    const res = await fetch(`${org.url}/services/data/v62.0/query?q=${encodeURIComponent(soql)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: res.status, body: await res.json() };
  } finally {
    await org.stop();
  }
}

const rows = (body: unknown) => (body as { records: Record<string, unknown>[] }).records;

describe('emulated org: user permissions', () => {
  it('answers the integration user its own permissions: API Only by default', async () => {
    const { status, body } = await queryAs(
      {},
      'SELECT PermissionsApiEnabled, PermissionsApiUserOnly, PermissionsViewSetup FROM UserPermissionAccess',
    );
    expect(status).toBe(200);
    expect(rows(body)).toEqual([
      expect.objectContaining({
        PermissionsApiEnabled: true,
        PermissionsApiUserOnly: true,
        PermissionsViewSetup: false,
      }),
    ]);
  });

  it('reports a Run-As user that is not API Only', async () => {
    const { body } = await queryAs(
      { integrationUserPermissions: { ApiEnabled: true } },
      'SELECT PermissionsApiUserOnly FROM UserPermissionAccess',
    );
    expect(rows(body)[0]).toMatchObject({ PermissionsApiUserOnly: false });
  });

  const assignees =
    "SELECT Assignee.Email FROM PermissionSetAssignment WHERE PermissionSet.Name = 'Switchboard_User'";

  it('hides who holds which permission set from a user without View Setup', async () => {
    const hidden = await queryAs({}, assignees);
    expect(hidden.status).toBe(400);
    expect(hidden.body).toEqual([expect.objectContaining({ errorCode: 'INVALID_TYPE' })]);
  });

  it('shows permission set assignments to a user with View Setup', async () => {
    const seen = await queryAs(
      {
        integrationUserPermissions: { ApiEnabled: true, ApiUserOnly: true, ViewSetup: true },
        seed: {
          User: [{ Id: '005000000000001AAA', LastName: 'Lopez', Email: 'ana@acme.example' }],
          PermissionSet: [{ Id: '0PS000000000001AAA', Name: 'Switchboard_User' }],
          PermissionSetAssignment: [
            { AssigneeId: '005000000000001AAA', PermissionSetId: '0PS000000000001AAA' },
          ],
        },
      },
      assignees,
    );
    expect(seen.status).toBe(200);
    const [row] = rows(seen.body);
    expect(row?.Assignee).toMatchObject({ Email: 'ana@acme.example' });
  });

  it('refuses the client credentials flow when the app has no Run-As user', async () => {
    const org = await EmulatedOrg.start({ seed: {}, clientCredentialsRunAs: false });
    try {
      const res = await requestToken(org);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: 'invalid_grant',
        error_description: 'no client credentials user enabled',
      });
    } finally {
      await org.stop();
    }
  });
});
