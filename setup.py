from configparser import ConfigParser
import setuptools, shlex

cfg_p = ConfigParser(delimiters=['='])
cfg_p.read('settings.ini')
cfg = cfg_p['DEFAULT']

expected = 'version description keywords author author_email'.split()
missing = [o for o in expected if o not in cfg]
if missing: raise KeyError(f"settings.ini is missing: {missing}")

licenses = {'apache2': ('Apache Software License 2.0', 'OSI Approved :: Apache Software License')}
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
py_versions = '3.10 3.11 3.12 3.13'.split()

requirements = shlex.split(cfg.get('requirements', ''))
dev_requirements = shlex.split(cfg.get('dev_requirements', ''))
hd_requirements = shlex.split(cfg.get('hd_requirements', ''))  # Visium HD / SpatialData readers (c2l_nb.hd)
# `dev` includes `hd` where it installs (spatialdata-io needs Python 3.11+), so that the tests of c2l_nb.hd run on CI
dev_requirements += [f"{r}; python_version >= '3.11'" for r in hd_requirements]
min_python = cfg['min_python']
lic = licenses[cfg['license']]
console_scripts = [s.strip() for s in cfg.get('console_scripts', '').split(';') if s.strip()]

setuptools.setup(
    name=cfg['lib_name'],
    license=lic[0],
    classifiers=[
        'Development Status :: ' + statuses[int(cfg['status'])],
        'Intended Audience :: ' + cfg['audience'].title(),
        'Natural Language :: ' + cfg['language'].title(),
        'License :: ' + lic[1],
    ] + ['Programming Language :: Python :: ' + o for o in py_versions[py_versions.index(min_python):]],
    url=cfg['git_url'],
    packages=setuptools.find_packages(include=['c2l_nb', 'c2l_nb.*']),
    # the tutorial notebooks and the example datasets (each folder with its own licence: see example_data/README.md)
    package_data={'c2l_nb': ['tutorials/*.ipynb', 'example_data/*.md', 'example_data/*/*', 'example_data/*/*/*']},
    include_package_data=True,
    install_requires=requirements,
    extras_require={'dev': dev_requirements, 'hd': hd_requirements},
    dependency_links=cfg.get('dep_links', '').split(),
    python_requires='>=' + min_python,
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    zip_safe=False,
    entry_points={'console_scripts': console_scripts, 'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
    version=cfg['version'], description=cfg['description'], keywords=cfg['keywords'],
    author=cfg['author'], author_email=cfg['author_email'],
)
