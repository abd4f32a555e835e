"""What a kernel imports for the models: the statsmodels estimators they use, not ``statsmodels.api`` (its time
series, graphics and every other estimator: about 0.3 s of every notebook kernel that fits a model) nor
``statsmodels.formula.api`` (every estimator's formula interface: about 0.07 s more)."""

import subprocess
import sys


def test_every_model_module_imports_its_estimators_not_statsmodels_api():
    code = (
        "import sys, importlib, pkgutil\n"
        "import wijkstudie.models as models\n"
        "for module in pkgutil.iter_modules(models.__path__):\n"
        "    importlib.import_module(f'wijkstudie.models.{module.name}')\n"
        "print('statsmodels.regression.linear_model' in sys.modules, 'statsmodels.formula.api' in sys.modules,"
        " 'statsmodels.api' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False", "False"]  # the models and their estimators were imported, neither api
