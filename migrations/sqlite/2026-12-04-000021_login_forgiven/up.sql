-- A failed login stops slowing its username down (it still locks its own username and address)
-- once the right password arrives from an address that has not failed.
ALTER TABLE login_failures ADD COLUMN slows_username BOOLEAN NOT NULL DEFAULT TRUE;
