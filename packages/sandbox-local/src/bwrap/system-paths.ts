/** Debian's merged /usr: these are symlinks into /usr on the host and are recreated as such. */
export const MERGED_USR_SYMLINKS: ReadonlyArray<readonly [target: string, link: string]> = [
  ['usr/bin', '/bin'],
  ['usr/sbin', '/sbin'],
  ['usr/lib', '/lib'],
  ['usr/lib64', '/lib64'],
];

/**
 * The part of /etc a process needs for DNS, TLS, users, time and the dynamic linker. Not the
 * rest: processes run as uid 0 (without capabilities) and could read e.g. /etc/shadow.
 */
export const ETC_ENTRIES: readonly string[] = [
  '/etc/resolv.conf',
  '/etc/hosts',
  '/etc/host.conf',
  '/etc/nsswitch.conf',
  '/etc/gai.conf',
  '/etc/passwd',
  '/etc/group',
  '/etc/ssl',
  '/etc/ca-certificates',
  '/etc/ca-certificates.conf',
  '/etc/pki',
  '/etc/localtime',
  '/etc/timezone',
  '/etc/alternatives',
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/os-release',
  '/etc/debian_version',
  '/etc/mime.types',
  '/etc/protocols',
  '/etc/services',
  '/etc/gitconfig',
];

/** Default PATH inside a sandbox. */
export const SANDBOX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
